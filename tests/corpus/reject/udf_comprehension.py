# expect: E101 at 4:18
def f(x: int) -> int:
    return sum([(y := i) for i in range(x)])
