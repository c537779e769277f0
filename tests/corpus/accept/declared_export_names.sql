-- feature set: summary
SELECT
  `t1`.`name`,
  SUM(`t1`.`total`) AS `revenue`
FROM (
  SELECT
    `t0`.`id`,
    `t0`.`name`,
    `t0`.`amount`,
    `t0`.`qty`,
    `t0`.`ts`,
    `t0`.`s`,
    `t0`.`a`,
    `t0`.`amount` * `t0`.`qty` AS `total`
  FROM IDENTIFIER(:t) AS `t0`
) AS `t1`
GROUP BY
  1;

