# expect: E300 at 3:5 mentions 'nope'
x = t.select('nope')
