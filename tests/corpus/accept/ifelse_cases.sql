-- feature set: f
SELECT
  `t0`.`id`,
  `t0`.`name`,
  `t0`.`amount`,
  `t0`.`qty`,
  `t0`.`ts`,
  `t0`.`s`,
  `t0`.`a`,
  IF(`t0`.`amount` > 100, 1, 0) AS `big`,
  CASE
    WHEN `t0`.`amount` > 100
    THEN 'large'
    WHEN `t0`.`amount` > 10
    THEN 'medium'
    ELSE 'small'
  END AS `size`
FROM IDENTIFIER(:t) AS `t0`;

