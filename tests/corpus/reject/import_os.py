# expect: E213 at 3:1 mentions 'allowed: ibis, math, datetime, typing'
import os
