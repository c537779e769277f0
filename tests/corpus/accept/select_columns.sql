-- feature set: f
SELECT
  `t0`.`id`,
  `t0`.`amount`,
  `t0`.`name` AS `renamed`
FROM IDENTIFIER(:t) AS `t0`;

