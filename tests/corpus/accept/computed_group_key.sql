-- feature set: f
SELECT
  `t0`.`qty` > 5 AS `bucket`,
  COUNT(*) AS `n`
FROM IDENTIFIER(:t) AS `t0`
GROUP BY
  1;

