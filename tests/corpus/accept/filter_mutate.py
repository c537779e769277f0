# projection, arithmetic and a filter
f = t.filter(_.amount > 0).mutate(double=_.amount * 2, shifted=_.qty + 1, neg=-_.qty)
