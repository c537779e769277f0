# expect: E101 at 4:5
def f(x: int) -> int:
    try:
        return 1
    except* ValueError:
        return 2
