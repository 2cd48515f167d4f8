Rem FUNCTION ... ENDFN: skipped by flow, $ locals, $Name$ return values, $labels, @calls.
g$ = "global"
$local% = 5
PRINT @Greet$("Flexy")
@Log("as a statement")
PRINT @Sum%(3); " "; g$; " "; $local%
FUNCTION Greet$($who$)
  $Greet$ = "hello " + $who$
ENDFN
FUNCTION Log($m$)
  PRINT "log: " + $m$
  g$ = "changed"
ENDFN
FUNCTION Sum%($n%)
  $i% = 0
  $local% = 0
$again:
  $i% = $i% + 1
  $local% = $local% + $i%
  IF $i% < $n% THEN GOTO $again
  $Sum% = $local%
ENDFN
// expect: hello Flexy
// expect: log: as a statement
// expect: 6 changed 5
