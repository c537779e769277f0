-- feature set: f
SELECT
  `t0`.`id`,
  `t0`.`name`,
  `t0`.`amount`,
  `t0`.`qty`,
  `t0`.`ts`,
  `t0`.`s`,
  `t0`.`a`,
  `t0`.`amount` * 2 AS `amount_x2`,
  `t0`.`amount` * 10 AS `amount_x10`,
  `t0`.`qty` * 2 AS `qty_x2`,
  `t0`.`qty` * 10 AS `qty_x10`
FROM IDENTIFIER(:t) AS `t0`;

