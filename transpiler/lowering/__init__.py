"""ibis to Spark SQL: the rule tables, nb2jvm's Spark compiler and its rule families."""
