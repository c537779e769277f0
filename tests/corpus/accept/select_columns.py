f = t.select("id", "amount", renamed=_.name)
