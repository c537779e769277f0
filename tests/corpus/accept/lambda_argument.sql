-- feature set: f
SELECT
  `t0`.`id`,
  `t0`.`name`,
  `t0`.`amount`,
  `t0`.`qty`,
  `t0`.`ts`,
  `t0`.`s`,
  `t0`.`a`,
  `t0`.`amount` * 3 AS `scaled`
FROM IDENTIFIER(:t) AS `t0`;

