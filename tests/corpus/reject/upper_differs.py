# expect: L100 at 3:1 mentions "'ß' -> 'SS'"
shout = t.mutate(u=_.s.upper())
