# expect: E101 at 5:5 mentions 'plain names only'
def f(x: int) -> int:
    a = 1
    a, *b = 1, 2
    return a
