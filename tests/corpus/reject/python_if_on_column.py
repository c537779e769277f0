# expect: E211 at 3:16 mentions 'ibis.ifelse'
x = t.mutate(b=_.a if _.a else 0)
