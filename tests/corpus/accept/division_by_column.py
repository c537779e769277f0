ratio = t.mutate(r=_.amount / _.qty)
