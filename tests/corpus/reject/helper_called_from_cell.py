# expect: E219 at 6:16 mentions 'only be called from a UDF'
def double(x: int) -> int:
    return 2 * x

g = t.mutate(b=double(_.a))
