# expect: E101 at 3:5
f = f'{1:>{2}}'
