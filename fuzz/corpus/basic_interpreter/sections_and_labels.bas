Rem Sections, labels, implicit END at each section end, and the cyclic re-queue.
Rem The harness test runs: init, then two cyclic passes. Lines "// expect:" list the output.
Rem --- eWON start section: Cyclic Section
eWON_cyclic_section:
Rem --- eWON user (start)
Pass% = Pass% + 1
PRINT "cyclic pass "; Pass%
Rem --- eWON user (end)
End
Rem --- eWON end section: Cyclic Section
Rem --- eWON start section: Init Section
eWON_init_section:
Rem --- eWON user (start)
PRINT "init"
GOSUB ShowName
Rem --- eWON user (end)
Rem --- eWON end section: Init Section
Rem --- eWON start section: Function section
ShowName:
  PRINT "subroutine in another section"
RETURN
Rem --- eWON end section: Function section
// expect: init
// expect: subroutine in another section
// expect: cyclic pass 1
// expect: cyclic pass 2
