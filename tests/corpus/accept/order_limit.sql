-- feature set: f
SELECT
  *
FROM IDENTIFIER(:t) AS `t0`
ORDER BY
  `t0`.`amount` DESC,
  `t0`.`id` ASC NULLS LAST
LIMIT 5;

