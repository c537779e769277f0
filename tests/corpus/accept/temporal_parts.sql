-- feature set: f
SELECT
  `t0`.`id`,
  `t0`.`name`,
  `t0`.`amount`,
  `t0`.`qty`,
  `t0`.`ts`,
  `t0`.`s`,
  `t0`.`a`,
  EXTRACT(year FROM `t0`.`ts`) AS `y`,
  EXTRACT(month FROM `t0`.`ts`) AS `m`,
  EXTRACT(day FROM `t0`.`ts`) AS `d`,
  EXTRACT(hour FROM `t0`.`ts`) AS `h`,
  EXTRACT(minute FROM `t0`.`ts`) AS `mi`
FROM IDENTIFIER(:t) AS `t0`;

