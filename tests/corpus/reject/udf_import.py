# expect: E101 at 4:5
def f(x: int) -> int:
    import os
    return x
