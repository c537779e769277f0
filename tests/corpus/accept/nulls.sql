-- feature set: f
SELECT
  `t0`.`id`,
  `t0`.`name`,
  `t0`.`amount`,
  `t0`.`qty`,
  `t0`.`ts`,
  `t0`.`s`,
  `t0`.`a`,
  COALESCE(`t0`.`name`, '?') AS `name2`,
  COALESCE(`t0`.`qty`, `t0`.`id`, 0) AS `first`,
  (
    `t0`.`amount` IS NULL
  ) OR NOT `t0`.`name` IS NULL AS `missing`
FROM IDENTIFIER(:t) AS `t0`;

