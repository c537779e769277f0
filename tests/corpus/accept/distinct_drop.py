f = t.drop("amount").distinct()
