-- feature set: f
SELECT
  `t0`.`id`,
  `t0`.`name`,
  `t0`.`amount`,
  `t0`.`qty`,
  `t0`.`ts`,
  `t0`.`s`,
  `t0`.`a`,
  CAST(`t0`.`qty` AS DOUBLE) AS `q`,
  CAST(`t0`.`id` AS STRING) AS `label`,
  CAST(`t0`.`qty` > 1 AS INT) AS `flag`
FROM IDENTIFIER(:t) AS `t0`;

