# expect: E101 at 4:1
@ibis.udf.scalar.python
def f(x: int, *rest: int) -> int:
    return x
