# expect: L100 at 3:1 mentions 'division by a column'
ratio = t.mutate(r=_.a / _.a)
