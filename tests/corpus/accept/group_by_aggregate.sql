-- feature set: f
SELECT
  `t0`.`name`,
  COUNT(*) AS `n`,
  SUM(`t0`.`amount`) AS `total`,
  AVG(`t0`.`amount`) AS `mean`,
  MIN(`t0`.`qty`) AS `lo`,
  MAX(`t0`.`qty`) AS `hi`,
  COUNT(DISTINCT `t0`.`id`) AS `ids`
FROM IDENTIFIER(:t) AS `t0`
GROUP BY
  1;

