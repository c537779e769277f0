# expect: E214 at 3:1 mentions 'cannot be reassigned'
ibis = 1
