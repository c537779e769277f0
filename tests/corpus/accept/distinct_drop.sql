-- feature set: f
SELECT DISTINCT
  *
FROM (
  SELECT
    `t0`.`id`,
    `t0`.`name`,
    `t0`.`qty`,
    `t0`.`ts`,
    `t0`.`s`,
    `t0`.`a`
  FROM IDENTIFIER(:t) AS `t0`
) AS `t1`;

