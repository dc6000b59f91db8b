"""Domain rules shared by every view, job and API: plain functions, each rule in one place."""
