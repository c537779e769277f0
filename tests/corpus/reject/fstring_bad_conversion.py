# expect: E100 at 3:13
f = f'{x!z}'
