-- feature set: f
SELECT
  `t0`.`id`,
  `t0`.`name`,
  `t0`.`amount`,
  `t0`.`qty`,
  `t0`.`ts`,
  `t0`.`s`,
  `t0`.`a`,
  `t0`.`amount` / 2 AS `half`,
  `t0`.`qty` / 100 AS `pct`
FROM IDENTIFIER(:t) AS `t0`;

