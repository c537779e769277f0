f = t.group_by(bucket=_.qty > 5).aggregate(n=_.count())
