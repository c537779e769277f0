f = t.mutate(half=_.amount / 2, pct=_.qty / 100)
