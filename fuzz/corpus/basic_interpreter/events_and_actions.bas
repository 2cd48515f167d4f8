ONDATE 1, "*/5 8-17 * jan-dec mon-fri", "GOTO Daily"
ONDATE 2, "0 0 1,15 * 0", "PRINT 'half month'"
ONDATE 3, ""
ONALARM "Temperature", "GOTO Al"
ONSTATUS "GOTO Done"
ONSMS "GOTO Sms"
ONPPP "PRINT GETSYS PRG,'EVTINFO'"
SENDMAIL "a@b.c", "", "subj", "body " + STR$ Temperature@
SENDSMS "+3247,gsm,0", "hi"
SENDTRAP 1, "trap"
PUTFTP "/x.csv", "a;b"
GETFTP "/r.txt", "/usr/r.txt"
PUTHTTP "srv", "/u", "a=1", ""
GETHTTP "srv", "/usr/p.htm", "/p.htm"
REQUESTHTTPX "https://h/x", "POST", "Content-Type=application/json", "{}"
NTPSYNC
DYNDNS
PRINT RESPONSEHTTPX "STATUSCODE"
END
Daily:
PUTFTP "/d.csv", TIME$
END
Al:
PRINT ALSTAT "Temperature"
ALMACK "Temperature", "me"
END
Done:
SETSYS PRG,"ACTIONID", GETSYS PRG,"EVTINFO"
PRINT GETSYS PRG,"ACTIONSTAT"
END
Sms:
IF GETSYS PRG,"SmsRead" = 0 THEN END
PRINT GETSYS PRG,"SmsMsg"
GOTO Sms
