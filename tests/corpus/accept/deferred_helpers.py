# named deferred expressions and constants reused across statements
THRESHOLD = 50
is_big = _.amount > THRESHOLD
big = t.filter(is_big)
counts = big.group_by("name").aggregate(n=_.count())
