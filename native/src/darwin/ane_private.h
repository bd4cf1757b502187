/* The private AppleNeuralEngine.framework API the backend uses — every class method, instance method and
 * ivar, nothing else — declared as protocols with the framework's real signatures (QoS is unsigned int,
 * errors come back through NSError **). Messages go through these types, so the compiler checks every
 * selector's spelling and every argument's type; -Werror=undeclared-selector makes @selector() checked
 * too. The classes are looked up at run time (NSClassFromString) after dlopen of the framework. */
#ifndef ANE4J_DARWIN_ANE_PRIVATE_H
#define ANE4J_DARWIN_ANE_PRIVATE_H

#import <Foundation/Foundation.h>
#import <IOSurface/IOSurface.h>

#define ANE_FRAMEWORK_PATH "/System/Library/PrivateFrameworks/AppleNeuralEngine.framework/AppleNeuralEngine"

/* Quality of service of every call: 21 (QOS_CLASS_DEFAULT), what all known callers pass. */
#define ANE_QOS 21u

/* The ivar of a loaded _ANEInMemoryModel that holds its _ANEClient (the realtime API lives there). */
#define ANE_CLIENT_IVAR "_sharedConnection"

/* _ANEInMemoryModelDescriptor: a MIL program with its weight files. weights maps
 * "@model_path/weights/NAME.bin" to @{@"offset": @0, @"data": NSData}; never nil (@{} when empty). */
@protocol ANE4JDescriptorClass
+ (id)modelWithMILText:(NSData *)milText weights:(NSDictionary *)weights optionsPlist:(id)optionsPlist;
@end

/* _ANEInMemoryModel (class side). */
@protocol ANE4JModelClass
+ (id)inMemoryModelWithDescriptor:(id)descriptor;
@end

/* _ANEInMemoryModel (instance side). hexStringIdentifier is derived from the content and names the folder
 * NSTemporaryDirectory()/<id> that compiling reads model.mil and weights from and writes net.plist (and
 * data) into. compiledModelExists: whether the ANE daemon holds a compiled program for this model's hash
 * (optional: AmiraniLabs/libane src/runtime/ane_runtime.mm "Path C" asks it before compiling). */
@protocol ANE4JModel
- (NSString *)hexStringIdentifier;
- (BOOL)compiledModelExists;
- (BOOL)compileWithQoS:(unsigned int)qos options:(NSDictionary *)options error:(NSError **)error;
- (BOOL)loadWithQoS:(unsigned int)qos options:(NSDictionary *)options error:(NSError **)error;
- (BOOL)evaluateWithQoS:(unsigned int)qos options:(NSDictionary *)options request:(id)request
                  error:(NSError **)error;
- (BOOL)unloadWithQoS:(unsigned int)qos error:(NSError **)error;
@end

/* _ANERequest: binds surfaces to a program's inputs and outputs, in the order of request_rules.h. */
@protocol ANE4JRequestClass
+ (id)requestWithInputs:(NSArray *)inputs
           inputIndices:(NSArray *)inputIndices
                outputs:(NSArray *)outputs
          outputIndices:(NSArray *)outputIndices
          weightsBuffer:(id)weightsBuffer
              perfStats:(id)perfStats
         procedureIndex:(NSNumber *)procedureIndex;
@end

/* _ANEIOSurfaceObject: wraps (and retains) one IOSurface for a request. */
@protocol ANE4JSurfaceObjectClass
+ (id)objectWithIOSurface:(IOSurfaceRef)surface;
@end

/* _ANEClient, reached through a loaded model's _sharedConnection ivar. */
@protocol ANE4JClient
- (BOOL)beginRealTimeTask;
- (BOOL)endRealTimeTask;
@end

/* _ANEDeviceInfo: whether this machine has a Neural Engine at all (a virtual machine does not). */
@protocol ANE4JDeviceInfoClass
+ (BOOL)hasANE;
@end

#endif
