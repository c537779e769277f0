# expect: E101 at 4:1
@functools.cache
def f(x: int) -> int:
    return x
