Rem --- eWON start section: Init Section
eWON_init_section:
Rem --- eWON user (start)
// Azure IoT Hub publisher for the eWON Flexy, X.509 device certificate (written for flexhil).
// Behaves like the publisher HMS published on its forum: tags of the selected groups are pushed
// as "TagName":"value" strings plus a local "time", changed tags every ChangePeriod% seconds
// (timer 2), all tags every FullPeriod% seconds (timer 1).
// ---------------- Configuration ----------------
DeviceId$ = "Flexy205"                // the device id registered in the IoT Hub
IoTHub$ = "flexhil-hub"               // <IoTHub$>.azure-devices.net
CaFile$ = "/usr/ca.pem"               // CA that signed the hub's server certificate
ChangePeriod% = 2                     // seconds between change pushes
FullPeriod% = 20                      // seconds between full pushes
GROUPA% = 1                           // 1 = publish the tags of IVGroupA
GROUPB% = 0
GROUPC% = 0
GROUPD% = 0
// -----------------------------------------------
Host$ = IoTHub$ + ".azure-devices.net"
Topic$ = "devices/" + DeviceId$ + "/messages/events/"
NB% = GETSYS PRG,"NBTAGS"
DIM Sel(256)
DIM Changed(256)
IF NB% > 256 THEN NB% = 256
// Select the tags of the chosen groups and watch them for changes.
FOR i% = 1 TO NB%
  SETSYS TAG,"load",-(i% - 1)
  a$ = GETSYS TAG,"IVGROUPA"
  b$ = GETSYS TAG,"IVGROUPB"
  c$ = GETSYS TAG,"IVGROUPC"
  d$ = GETSYS TAG,"IVGROUPD"
  s% = 0
  IF GROUPA% = 1 AND a$ = "1" THEN s% = 1
  IF GROUPB% = 1 AND b$ = "1" THEN s% = 1
  IF GROUPC% = 1 AND c$ = "1" THEN s% = 1
  IF GROUPD% = 1 AND d$ = "1" THEN s% = 1
  Sel(i%) = s%
  IF s% = 1 THEN ONCHANGE -(i% - 1), "Changed(" + STR$(i%) + ")= 1"
NEXT i%
// MQTT client: TLS 1.2, MQTT 3.1.1, device certificate and key named after the device id.
MQTT "OPEN", DeviceId$, Host$
MQTT "SETPARAM", "Port", "8883"
MQTT "SETPARAM", "KeepAlive", "20"
MQTT "SETPARAM", "TLSVersion", "tlsv1.2"
MQTT "SETPARAM", "ProtocolVersion", "3.1.1"
MQTT "SETPARAM", "CAFile", CaFile$
MQTT "SETPARAM", "CertFile", "/usr/" + DeviceId$ + ".crt"
MQTT "SETPARAM", "KeyFile", "/usr/" + DeviceId$ + ".key"
MQTT "SETPARAM", "Username", Host$ + "/" + DeviceId$ + "/api-version=2016-11-14"
MQTT "SETPARAM", "Password", "HostName=" + IoTHub$ + ";DeviceID=" + DeviceId$ + ";x509=true"
ONMQTT "GOTO AzureMessage"
ONMQTTSTATUS "GOTO AzureStatus"
SETSYS PRG,"RESUMENEXT",1
MQTT "CONNECT"
e% = GETSYS PRG,"LSTERR"
SETSYS PRG,"RESUMENEXT",0
IF e% = 28 THEN
  PRINT "Azure: MQTT CONNECT failed, WAN down (error 28)"
  LOGEVENT "Azure: MQTT CONNECT failed, WAN down", 1
ENDIF
MQTT "SUBSCRIBE", "devices/" + DeviceId$ + "/messages/devicebound/#", 1
ONTIMER 1, "GOTO AzureFullPush"
ONTIMER 2, "GOTO AzureChangePush"
TSET 1, FullPeriod%
TSET 2, ChangePeriod%
PRINT "Azure publisher started for "; DeviceId$; " on "; Host$
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
// Timer 1: every selected tag, only when connected.
AzureFullPush:
st% = MQTT("STATUS")
IF st% <> 5 THEN GOTO AzureFullSkipped
Payload$ = "{"
First% = 1
FOR i% = 1 TO NB%
  IF Sel(i%) = 1 THEN GOSUB AzureAddTag
NEXT i%
GOSUB AzureAddTime
Payload$ = Payload$ + "}"
MQTT "PUBLISH", Topic$, Payload$, 0, 0
PRINT "Full push: "; Payload$
END
AzureFullSkipped:
PRINT "Full push skipped, MQTT status "; st%
END

// Timer 2: the tags that changed since the last push (no STATUS check, as in the reference).
AzureChangePush:
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

// Appends "Name":"value" of tag i% (1-based) to Payload$.
AzureAddTag:
SETSYS TAG,"load",-(i% - 1)
Name$ = GETSYS TAG,"Name"
v = GETIO Name$
IF First% = 0 THEN Payload$ = Payload$ + ","
First% = 0
Payload$ = Payload$ + '"' + Name$ + '":"' + STR$(v) + '"'
RETURN

// Appends "time":"YYYY-MM-DD HH:MM:SS" sliced from TIME$ ("DD/MM/YYYY HH:MM:SS").
AzureAddTime:
t$ = TIME$
Stamp$ = t$(7 TO 10) + "-" + t$(4 TO 5) + "-" + t$(1 TO 2) + " " + t$(12 TO 19)
IF First% = 0 THEN Payload$ = Payload$ + ","
Payload$ = Payload$ + '"time":"' + Stamp$ + '"'
RETURN

AzureMessage:
m% = MQTT "READ"
IF m% > 0 THEN
  mt$ = MQTT "MSGTOPIC"
  md$ = MQTT "MSGDATA"
  PRINT "Message on "; mt$; ": "; md$
ENDIF
END

AzureStatus:
es% = GETSYS PRG,"EVTINFO"
PRINT "MQTT status "; es%
END
Rem --- eWON user (end)
End
Rem --- eWON end section: Azure Section
