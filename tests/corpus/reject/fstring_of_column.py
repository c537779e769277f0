# expect: E220 at 3:8 mentions '+ or .concat()'
x = f'{t.a}!'
