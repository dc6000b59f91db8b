DEMO_PASSWORD = "demo12345"


def load_reference():
    raise NotImplementedError


def load_demo(tickets: int = 360):
    raise NotImplementedError


def demo_logins():
    return []
