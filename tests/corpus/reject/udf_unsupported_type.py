# expect: E111 at 4:1 mentions "not supported in a UDF signature"
@ibis.udf.scalar.python
def f(x: list) -> int:
    return 1
