-- feature set: f
SELECT
  `t0`.`id`,
  `t0`.`name`,
  `t0`.`amount`,
  `t0`.`qty`,
  `t0`.`ts`,
  `t0`.`s`,
  `t0`.`a`,
  `t0`.`amount` * 2 AS `double`,
  `t0`.`qty` + 1 AS `shifted`,
  -(
    `t0`.`qty`
  ) AS `neg`
FROM IDENTIFIER(:t) AS `t0`
WHERE
  `t0`.`amount` > 0;

