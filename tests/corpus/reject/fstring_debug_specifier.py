# expect: E103 at 3:7
f = f'{x=}'
