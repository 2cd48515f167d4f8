Rem --- eWON start section: Init Section
eWON_init_section:
Rem --- eWON user (start)
// Azure IoT Hub publisher for the scenario library (flexhil). A correct publisher by default;
// each known defect of the published eWON scripts can be switched on by a memory tag the
// scenario sets (initial value), so one program serves the passing and the known-bad sets:
//   CfgSas (0 X.509, 1 SAS with CfgSasSig$/CfgSasExpiry$, 2 the whole token in CfgSasToken$), CfgGroupB (also publish group B),
//   CfgFullPeriod (s), CfgCheckStatus (change push checks MQTT status), CfgLocalTime (local time
//   without zone instead of UTC ISO 8601), CfgStrings (values as strings), CfgContentType
//   ($.ct/$.ce on the topic), CfgBadLabel (ONMQTT jumps to a label that does not exist).
// The device id is the Flexy's own name (eWON Identification), so one program serves a fleet.
SETSYS SYS,"load"
DeviceId$ = GETSYS SYS,"Identification"
IoTHub$ = "flexhil-hub"
ChangePeriod% = 2
FullPeriod% = GETIO "CfgFullPeriod"
Host$ = IoTHub$ + ".azure-devices.net"
Topic$ = "devices/" + DeviceId$ + "/messages/events/"
IF GETIO "CfgContentType" = 1 THEN Topic$ = Topic$ + "$.ct=application%2Fjson&$.ce=utf-8"
NB% = GETSYS PRG,"NBTAGS"
DIM Sel(256)
DIM SelB(256)
DIM Changed(256)
IF NB% > 256 THEN NB% = 256
FOR i% = 1 TO NB%
  SETSYS TAG,"load",-(i% - 1)
  a$ = GETSYS TAG,"IVGROUPA"
  b$ = GETSYS TAG,"IVGROUPB"
  s% = 0
  IF a$ = "1" THEN s% = 1
  SelB(i%) = 0
  IF GETIO "CfgGroupB" = 1 AND b$ = "1" THEN SelB(i%) = 1
  IF SelB(i%) = 1 THEN s% = 1
  Sel(i%) = s%
  IF s% = 1 THEN ONCHANGE -(i% - 1), "Changed(" + STR$(i%) + ")= 1"
NEXT i%
MQTT "OPEN", DeviceId$, Host$
MQTT "SETPARAM", "KeepAlive", "20"
MQTT "SETPARAM", "TLSVersion", "tlsv1.2"
MQTT "SETPARAM", "ProtocolVersion", "3.1.1"
MQTT "SETPARAM", "CAFile", "/usr/ca.pem"
MQTT "SETPARAM", "Username", Host$ + "/" + DeviceId$ + "/?api-version=2021-04-12"
IF GETIO "CfgSas" = 0 THEN
  MQTT "SETPARAM", "Port", "8883"
  MQTT "SETPARAM", "CertFile", "/usr/" + DeviceId$ + ".crt"
  MQTT "SETPARAM", "KeyFile", "/usr/" + DeviceId$ + ".key"
ELSE
  MQTT "SETPARAM", "Port", "8884"
  IF GETIO "CfgSas" = 1 THEN
    Sas$ = "SharedAccessSignature sr=" + Host$ + "%2Fdevices%2F" + DeviceId$ + "&sig=" + GETIO "CfgSasSig" + "&se=" + GETIO "CfgSasExpiry"
  ELSE
    // A whole token, signed once and never renewed (like a token pasted into the script).
    Sas$ = GETIO "CfgSasToken"
  ENDIF
  MQTT "SETPARAM", "Password", Sas$
ENDIF
IF GETIO "CfgBadLabel" = 1 THEN
  ONMQTT "GOTO AzureMesage"
ELSE
  ONMQTT "GOTO AzureMessage"
ENDIF
MQTT "CONNECT"
MQTT "SUBSCRIBE", "devices/" + DeviceId$ + "/messages/devicebound/#", 1
MQTT "SUBSCRIBE", "$iothub/methods/POST/#", 0
ONTIMER 1, "GOTO AzureFullPush"
ONTIMER 2, "GOTO AzureChangePush"
TSET 1, FullPeriod%
TSET 2, ChangePeriod%
PRINT "publisher started for "; DeviceId$
Rem --- eWON user (end)
End
Rem --- eWON end section: Init Section
Rem --- eWON start section: Cyclic Section
eWON_cyclic_section:
Rem --- eWON user (start)
Rem --- eWON user (end)
End
Rem --- eWON end section: Cyclic Section
Rem --- eWON start section: Azure Section
Rem --- eWON user (start)
AzureFullPush:
IF MQTT("STATUS") <> 5 THEN GOTO AzureSkip
Payload$ = "{"
First% = 1
// Group by group, like the published script: a tag in A and B is added twice (the defect).
FOR i% = 1 TO NB%
  SETSYS TAG,"load",-(i% - 1)
  a$ = GETSYS TAG,"IVGROUPA"
  IF a$ = "1" THEN
    Changed(i%) = 0
    GOSUB AzureAddTag
  ENDIF
NEXT i%
FOR i% = 1 TO NB%
  IF SelB(i%) = 1 THEN
    Changed(i%) = 0
    GOSUB AzureAddTag
  ENDIF
NEXT i%
GOSUB AzureAddTime
Payload$ = Payload$ + "}"
MQTT "PUBLISH", Topic$, Payload$, 0, 0
PRINT "Full push: "; Payload$
AzureSkip:
END

AzureChangePush:
IF GETIO "CfgCheckStatus" = 1 AND MQTT("STATUS") <> 5 THEN GOTO AzureChangeNone
Payload$ = "{"
First% = 1
n% = 0
FOR i% = 1 TO NB%
  IF Changed(i%) = 1 THEN
    Changed(i%) = 0
    GOSUB AzureAddTag
    n% = n% + 1
  ENDIF
NEXT i%
IF n% = 0 THEN GOTO AzureChangeNone
GOSUB AzureAddTime
Payload$ = Payload$ + "}"
MQTT "PUBLISH", Topic$, Payload$, 0, 0
PRINT "Change push: "; Payload$
AzureChangeNone:
END

AzureAddTag:
SETSYS TAG,"load",-(i% - 1)
Name$ = GETSYS TAG,"Name"
Type% = GETSYS TAG,"Type"
IF First% = 0 THEN Payload$ = Payload$ + ","
First% = 0
// String tags are concatenated without escaping, as in the published script.
IF Type% = 6 THEN
  Payload$ = Payload$ + '"' + Name$ + '":"' + GETIO Name$ + '"'
  RETURN
ENDIF
v = GETIO Name$
IF GETIO "CfgStrings" = 1 THEN
  Payload$ = Payload$ + '"' + Name$ + '":"' + STR$(v) + '"'
ELSE
  Payload$ = Payload$ + '"' + Name$ + '":' + STR$(v)
ENDIF
RETURN

// TIME$ is "DD/MM/YYYY HH:MM:SS" in the Flexy's zone (UTC unless the scenario says otherwise).
AzureAddTime:
t$ = TIME$
IF GETIO "CfgLocalTime" = 1 THEN
  Stamp$ = t$(7 TO 10) + "-" + t$(4 TO 5) + "-" + t$(1 TO 2) + " " + t$(12 TO 19)
ELSE
  Stamp$ = t$(7 TO 10) + "-" + t$(4 TO 5) + "-" + t$(1 TO 2) + "T" + t$(12 TO 19) + "Z"
ENDIF
IF First% = 0 THEN Payload$ = Payload$ + ","
Payload$ = Payload$ + '"time":"' + Stamp$ + '"'
RETURN

// Reads every pending message (the published script reads only one per event).
AzureMessage:
m% = MQTT "READ"
IF m% = 0 THEN GOTO AzureMessageDone
MsgTopic$ = MQTT "MSGTOPIC"
PRINT "Message on "; MsgTopic$; ": "; MQTT "MSGDATA"
IF INSTR(1, MsgTopic$, "$iothub/methods/POST/") = 1 THEN GOSUB AzureMethodAnswer
GOTO AzureMessage
AzureMessageDone:
END

// A direct method ($iothub/methods/POST/{name}/?$rid={rid}) is answered 200 with its $rid.
AzureMethodAnswer:
r% = INSTR(1, MsgTopic$, "$rid=")
Rid$ = MID$(MsgTopic$, r% + 5, LEN(MsgTopic$))
IF MQTT("STATUS") = 5 THEN
  MQTT "PUBLISH", "$iothub/methods/res/200/?$rid=" + Rid$, '{"result":"done"}', 0, 0
  PRINT "Method answered: $rid="; Rid$
ENDIF
RETURN
Rem --- eWON user (end)
End
Rem --- eWON end section: Azure Section
