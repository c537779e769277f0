# expect: E101 at 4:5
def f(x: int) -> int:
    while x:
        x -= 1
    else:
        pass
    return x
