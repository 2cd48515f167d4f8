Rem Case-insensitivity, comments, both quotes, numbers glued to keywords.
DeviceId$ = "Flexy205"          // trailing comment
PRINT DEVICEID$ + ' / ' + deviceid$
quote$ = '"'
PRINT quote$ + "it's" + quote$ : REM comment after a colon
GROUPD% = 1
IF GROUPD%= 1THEN print "glued THEN"
Goto "Skip"
PRINT "not printed"
skip:
Print Len "abc"; STR$(12); str$ 3
// expect: Flexy205 / Flexy205
// expect: "it's"
// expect: glued THEN
// expect: 3123
