# expect: E101 at 4:12
def f(x: int) -> int:
    return {i for i in range(x)}
