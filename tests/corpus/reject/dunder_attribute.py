# expect: E201 at 3:7 mentions "'__class__'"
x = t.__class__
