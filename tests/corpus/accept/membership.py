f = t.filter(_.qty.between(1, 10) & _.name.isin(["a", "b"]) & ~(_.id == 3))
