"""Scale benchmarks (issue 4, item 6): a data generator and a load benchmark. Not tests; see the README."""
