# expect: E101 at 4:5
def f(x: int) -> int:
    a, b = 1, 2
    return a
