# expect: L100 at 3:20 mentions "grapheme clusters"
shout = t.mutate(u=_.s.reverse())
